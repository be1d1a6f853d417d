#include "modellogging.h"

Q_LOGGING_CATEGORY(lcModel, "azid.model", QtInfoMsg)
