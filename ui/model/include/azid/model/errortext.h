#pragma once

#include "azid/errors.h"
#include "azid/model/signinoperation.h"

#include <QString>

namespace azid::model {

// What to do next, for the AADSTS codes, OAuth errors and error reasons (no network, an untrusted
// certificate) people meet most; empty when the error's own message is all there is to say.
QString nextStep(const AuthError &error);
// Every detail of the error as plain text, for "Copy details" and bug reports: kind, message, OAuth
// error and suberror, storage failure, AADSTS codes, correlation and trace ids, HTTP status. Never a
// token.
QString errorDetails(const AuthError &error);
// What a person reads first, once: what happened and what to do. The next step of a known AADSTS
// code says both; otherwise the readable message, followed by the next step unless it says it already.
// Plain text.
QString errorSummary(const AuthError &error);
// An error message as a person reads it: no AADSTS code prefixes (the details keep the codes), one
// period at the end of a sentence, and each sentence once.
QString readableMessage(const QString &message);

// What the main button of an error offers after a sign-in with `method` failed.
enum class ErrorAction {
    TryAgain,         // the same sign-in once more
    SignInWithBrowser // the method cannot succeed for this account (multi-factor authentication)
};
ErrorAction suggestedAction(const AuthError &error, SignInMethod method);

} // namespace azid::model
