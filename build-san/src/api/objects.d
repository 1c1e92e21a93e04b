build-san/src/api/objects.o: src/api/objects.c src/api/api.h \
 src/http/path.h src/core/err.h src/core/buf.h src/http/server.h \
 src/model/record.h src/store/store.h src/core/util.h \
 src/export/event_json.h src/import/event_writer.h \
 src/import/misp_reader.h src/model/codec.h src/model/misp.h
src/api/api.h:
src/http/path.h:
src/core/err.h:
src/core/buf.h:
src/http/server.h:
src/model/record.h:
src/store/store.h:
src/core/util.h:
src/export/event_json.h:
src/import/event_writer.h:
src/import/misp_reader.h:
src/model/codec.h:
src/model/misp.h:
