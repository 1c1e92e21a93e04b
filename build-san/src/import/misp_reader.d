build-san/src/import/misp_reader.o: src/import/misp_reader.c \
 src/import/misp_reader.h src/core/buf.h src/core/err.h
src/import/misp_reader.h:
src/core/buf.h:
src/core/err.h:
