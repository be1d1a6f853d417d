#include "uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "azid.ui", QtInfoMsg)
