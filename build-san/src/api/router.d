build-san/src/api/router.o: src/api/router.c src/api/api.h \
 src/http/path.h src/core/err.h src/core/buf.h src/http/server.h \
 src/model/record.h src/store/store.h src/core/log.h src/core/util.h \
 src/model/codec.h src/model/misp.h
src/api/api.h:
src/http/path.h:
src/core/err.h:
src/core/buf.h:
src/http/server.h:
src/model/record.h:
src/store/store.h:
src/core/log.h:
src/core/util.h:
src/model/codec.h:
src/model/misp.h:
