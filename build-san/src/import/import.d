build-san/src/import/import.o: src/import/import.c src/import/import.h \
 src/core/err.h src/core/buf.h src/import/event_writer.h \
 src/import/misp_reader.h src/store/store.h src/model/record.h \
 src/core/log.h
src/import/import.h:
src/core/err.h:
src/core/buf.h:
src/import/event_writer.h:
src/import/misp_reader.h:
src/store/store.h:
src/model/record.h:
src/core/log.h:
