build-san/src/cli/args.o: src/cli/args.c src/cli/cli.h src/core/buf.h \
 src/core/err.h src/store/store.h src/model/record.h
src/cli/cli.h:
src/core/buf.h:
src/core/err.h:
src/store/store.h:
src/model/record.h:
