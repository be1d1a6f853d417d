#pragma once

#include "arguments.h"

#include "azid/accesstoken.h"
#include "azid/authenticationrecord.h"
#include "azid/errors.h"

#include <QJsonObject>
#include <QList>

namespace azid::cli {

// The CLI contract's exit codes.
enum ExitCode {
    ExitSuccess = 0,
    ExitUsage = 2,
    ExitUnavailable = 3,
    ExitAuthenticationFailed = 4,
    ExitInteractionRequired = 5,
};

int exitCodeFor(const AuthError &error);

// stdout holds results only; everything else goes to stderr.
void printResult(const QByteArray &text);
void printNote(const QString &text);
// One line on stderr ("azid-cli: <Kind>: message [AADSTS...] (correlation id: ...)"), or a JSON
// object with --output json.
void printError(const AuthError &error, OutputFormat format);
void printUsageError(const QString &message, OutputFormat format);

QByteArray formatToken(const AccessTokenInfo &token, OutputFormat format);
// The Azure CLI's shapes, as it prints them (keys sorted, two-space indent): `az account
// get-access-token --output json` for a token of `tenant` (a tenant-level account: its subscription
// is the tenant), and `az account show` for an account.
QByteArray formatAzToken(const AccessTokenInfo &token, const QString &tenant);
QByteArray formatAzAccount(const AuthenticationRecord &record);
QByteArray formatRecord(const AuthenticationRecord &record, OutputFormat format);
// C0 and C1 control characters (and DEL) replaced by '?', so that text from outside cannot send a
// terminal escape sequences.
QString terminalSafe(QString text);
// Rows of name/value pairs as an aligned table, every cell terminalSafe().
QByteArray formatTable(const QList<QStringList> &rows);

} // namespace azid::cli
