build-san/src/cli/import.o: src/cli/import.c src/cli/cli.h \
 src/import/import.h src/core/err.h src/core/buf.h \
 src/import/event_writer.h src/import/misp_reader.h src/store/store.h \
 src/model/record.h
src/cli/cli.h:
src/import/import.h:
src/core/err.h:
src/core/buf.h:
src/import/event_writer.h:
src/import/misp_reader.h:
src/store/store.h:
src/model/record.h:
