build-san/src/store/schema.o: src/store/schema.c src/store/internal.h \
 src/core/err.h src/core/buf.h src/store/store.h src/model/record.h
src/store/internal.h:
src/core/err.h:
src/core/buf.h:
src/store/store.h:
src/model/record.h:
