# Writes OUT, a C++ source defining modelhost::control::kDashboardFiles from the files in DIR
# (given as FILES, names relative to DIR, separated by commas): each file's bytes as an array.
string(REPLACE "," ";" files "${FILES}")
set(arrays "")
set(entries "")
set(i 0)
foreach(name ${files})
  file(READ "${DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "const unsigned char f${i}[] = {${bytes}0};\n")
  string(APPEND entries "    {\"${name}\", f${i}, ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT} "// Generated from web/; do not edit.\n"
                  "#include \"control/dashboard/dashboard.h\"\n"
                  "namespace modelhost::control {\nnamespace {\n${arrays}}  // namespace\n"
                  "const EmbeddedFile kDashboardFiles[] = {\n${entries}};\n"
                  "const size_t kDashboardFileCount = ${i};\n"
                  "}  // namespace modelhost::control\n")
