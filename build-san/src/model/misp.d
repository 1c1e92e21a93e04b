build-san/src/model/misp.o: src/model/misp.c src/model/misp.h \
 src/model/record.h
src/model/misp.h:
src/model/record.h:
