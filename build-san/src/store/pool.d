build-san/src/store/pool.o: src/store/pool.c src/store/internal.h \
 src/core/err.h src/core/buf.h src/store/store.h src/model/record.h \
 src/core/log.h
src/store/internal.h:
src/core/err.h:
src/core/buf.h:
src/store/store.h:
src/model/record.h:
src/core/log.h:
