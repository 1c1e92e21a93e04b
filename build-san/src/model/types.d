build-san/src/model/types.o: src/model/types.c src/model/types.h \
 src/core/err.h src/core/buf.h
src/model/types.h:
src/core/err.h:
src/core/buf.h:
