build-san/src/http/server.o: src/http/server.c src/http/server.h \
 src/core/buf.h src/core/err.h src/core/log.h
src/http/server.h:
src/core/buf.h:
src/core/err.h:
src/core/log.h:
