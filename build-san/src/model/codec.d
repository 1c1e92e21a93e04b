build-san/src/model/codec.o: src/model/codec.c src/model/codec.h \
 src/core/err.h src/core/buf.h src/model/record.h
src/model/codec.h:
src/core/err.h:
src/core/buf.h:
src/model/record.h:
