build-san/src/cli/init.o: src/cli/init.c src/cli/cli.h src/core/util.h \
 src/model/misp.h src/model/record.h src/store/store.h src/core/err.h \
 src/core/buf.h
src/cli/cli.h:
src/core/util.h:
src/model/misp.h:
src/model/record.h:
src/store/store.h:
src/core/err.h:
src/core/buf.h:
