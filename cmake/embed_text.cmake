# embed_text.cmake — writes OUT, a C header holding the bytes of IN as the array NAME[]
# (NUL-terminated) and NAME_len, so that a file of the repo (data/tds_rules.csv) ships
# inside the binary. Run with cmake -DIN=... -DOUT=... -DNAME=... -P embed_text.cmake.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n    " body "${body}")
file(WRITE ${OUT}.tmp "/* generated from ${IN} by cmake/embed_text.cmake: do not edit */\n"
     "static const char ${NAME}[] = {\n    ${body}0x00};\n"
     "static const unsigned long ${NAME}_len = ${bytes};\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
