// The system zlib (Debian: zlib1g-dev; macOS: part of the SDK).
#include <zlib.h>
