#pragma once

#include <QLoggingCategory>

// Enable with QT_LOGGING_RULES="azid.keychain.debug=true". Never logs a secret.
Q_DECLARE_LOGGING_CATEGORY(lcKeychain)
