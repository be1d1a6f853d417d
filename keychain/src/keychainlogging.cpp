#include "keychainlogging.h"

Q_LOGGING_CATEGORY(lcKeychain, "azid.keychain", QtInfoMsg)
