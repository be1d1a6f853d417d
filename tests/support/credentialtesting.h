#pragma once

#include "azid/accesstoken.h"
#include "azid/secret.h"
#include "azid/tokencredential.h"

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace azid::test {

// What the tests of credentials share: token requests, a credential's own environment, and checks
// of what comes back.

// A request for `scopes`, with a claims challenge (JSON), another tenant and CAE when given.
TokenRequestOptions tokenRequest(QStringList scopes, QString claims = {}, QString tenantId = {},
                                 bool enableCae = false);

// An environment that holds only `assignments` ("NAME=value"), nothing of the test's own.
QProcessEnvironment environmentOf(const QStringList &assignments);

// The claims of a JWT (empty when it is none).
QJsonObject claimsOf(const Secret &token);

// The error of a failed result for a failure message ("a token" when there was none).
QString describe(const TokenResult &result);

// Fails the running test (QVERIFY) unless `result` is an error of `kind` whose message contains
// `text`.
void expectError(const TokenResult &result, ErrorKind kind, const QString &text);

} // namespace azid::test
