build-san/src/cli/serve.o: src/cli/serve.c src/api/api.h src/http/path.h \
 src/core/err.h src/core/buf.h src/http/server.h src/model/record.h \
 src/store/store.h src/cli/cli.h src/core/log.h src/core/util.h
src/api/api.h:
src/http/path.h:
src/core/err.h:
src/core/buf.h:
src/http/server.h:
src/model/record.h:
src/store/store.h:
src/cli/cli.h:
src/core/log.h:
src/core/util.h:
