#pragma once

// TokenCachePersistenceOptions is the library's (azid/tokencachepersistence.h): credentials take it.
#include "azid/tokencachepersistence.h"
