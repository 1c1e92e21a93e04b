build-san/src/import/event_writer.o: src/import/event_writer.c \
 src/import/event_writer.h src/core/err.h src/core/buf.h \
 src/import/misp_reader.h src/store/store.h src/model/record.h \
 src/core/log.h src/core/util.h src/model/codec.h src/model/misp.h \
 src/model/types.h
src/import/event_writer.h:
src/core/err.h:
src/core/buf.h:
src/import/misp_reader.h:
src/store/store.h:
src/model/record.h:
src/core/log.h:
src/core/util.h:
src/model/codec.h:
src/model/misp.h:
src/model/types.h:
