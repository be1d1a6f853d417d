#pragma once

#include <QLoggingCategory>

// One category per area of the library; enable with QT_LOGGING_RULES="azid.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcCredentials)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcLoopback)
