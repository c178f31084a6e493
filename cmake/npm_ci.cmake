# npm_ci.cmake — run at build time (cmake -P) by CMakeLists.txt: installs the web pages'
# npm dependencies (web/package-lock.json: the charting library, and eslint and prettier for
# the lint_web test) with `npm ci` when web/node_modules is missing
# or older than the lockfile, or when REQUIRED (a file the build takes from it) is gone
# (`ninja -t clean` removes it as a byproduct), then touches STAMP. A lock keeps two build trees (release and
# sanitizer) from installing at once. Needs -DWEB_DIR=... -DNPM=... -DSTAMP=...
file(LOCK "${WEB_DIR}/.npm-ci.lock" GUARD PROCESS TIMEOUT 600 RESULT_VARIABLE lock_result)
if(NOT lock_result EQUAL 0)
  message(FATAL_ERROR "cannot lock ${WEB_DIR}/.npm-ci.lock: ${lock_result}")
endif()
set(marker "${WEB_DIR}/node_modules/.infludash-installed")
if(NOT EXISTS "${marker}" OR "${WEB_DIR}/package-lock.json" IS_NEWER_THAN "${marker}"
   OR (DEFINED REQUIRED AND NOT EXISTS "${REQUIRED}"))
  message(STATUS "web: npm ci (installing the charting library and the lint tools from web/package-lock.json)")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund
                  WORKING_DIRECTORY "${WEB_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci in ${WEB_DIR} failed (${rc}): the build needs the npm registry once")
  endif()
  file(TOUCH "${marker}")
endif()
file(TOUCH "${STAMP}")
