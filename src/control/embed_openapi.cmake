# Writes OUT, a C++ source defining modelhost::control::kOpenApiJson from the file IN.
file(READ ${IN} content)
string(FIND "${content}" ")mhjson\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )mhjson\"")
endif()
file(WRITE ${OUT} "// Generated from docs/openapi.json; do not edit.\n"
                  "namespace modelhost::control {\n"
                  "extern const char* const kOpenApiJson;\n"
                  "const char* const kOpenApiJson = R\"mhjson(${content})mhjson\";\n"
                  "}  // namespace modelhost::control\n")
