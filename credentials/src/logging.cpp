#include "logging.h"

Q_LOGGING_CATEGORY(lcCredentials, "azid.credentials", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "azid.credentials.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLoopback, "azid.credentials.loopback", QtInfoMsg)
