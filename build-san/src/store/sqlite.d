build-san/src/store/sqlite.o: src/store/sqlite.c src/store/internal.h \
 src/core/err.h src/core/buf.h src/store/store.h src/model/record.h \
 src/model/misp.h
src/store/internal.h:
src/core/err.h:
src/core/buf.h:
src/store/store.h:
src/model/record.h:
src/model/misp.h:
