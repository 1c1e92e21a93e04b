build-san/src/export/event_json.o: src/export/event_json.c \
 src/export/event_json.h src/store/store.h src/core/err.h src/core/buf.h \
 src/model/record.h src/model/codec.h src/model/misp.h
src/export/event_json.h:
src/store/store.h:
src/core/err.h:
src/core/buf.h:
src/model/record.h:
src/model/codec.h:
src/model/misp.h:
