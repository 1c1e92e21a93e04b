build-san/src/model/types_data.o: src/model/types_data.c \
 src/model/types.h
src/model/types.h:
