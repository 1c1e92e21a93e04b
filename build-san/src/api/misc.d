build-san/src/api/misc.o: src/api/misc.c src/api/api.h src/http/path.h \
 src/core/err.h src/core/buf.h src/http/server.h src/model/record.h \
 src/store/store.h src/model/codec.h src/model/misp.h src/model/types.h
src/api/api.h:
src/http/path.h:
src/core/err.h:
src/core/buf.h:
src/http/server.h:
src/model/record.h:
src/store/store.h:
src/model/codec.h:
src/model/misp.h:
src/model/types.h:
