build-san/src/model/record.o: src/model/record.c src/model/record.h \
 src/core/err.h src/core/buf.h
src/model/record.h:
src/core/err.h:
src/core/buf.h:
