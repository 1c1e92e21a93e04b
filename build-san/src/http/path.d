build-san/src/http/path.o: src/http/path.c src/http/path.h src/core/err.h \
 src/core/buf.h
src/http/path.h:
src/core/err.h:
src/core/buf.h:
