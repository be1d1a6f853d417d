#pragma once

#include "azid/errors.h"

#include <QString>

namespace azid::model {

// What to do next, for the AADSTS codes, OAuth errors and error reasons (no network, an untrusted
// certificate) people meet most; empty when the error's own message is all there is to say.
QString nextStep(const AuthError &error);
// Every detail of the error as plain text, for "Copy details" and bug reports: kind, message, OAuth
// error and suberror, storage failure, AADSTS codes, correlation and trace ids, HTTP status. Never a
// token.
QString errorDetails(const AuthError &error);
// The message and the next step, for a tray message or a status line.
QString errorSummary(const AuthError &error);

} // namespace azid::model
