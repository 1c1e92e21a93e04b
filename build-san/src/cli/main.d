build-san/src/cli/main.o: src/cli/main.c src/cli/cli.h src/core/log.h \
 src/core/util.h
src/cli/cli.h:
src/core/log.h:
src/core/util.h:
