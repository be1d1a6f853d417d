#pragma once

#include "azid/accesstoken.h"
#include "azid/tokencache.h"
#include "azid/tokencredential.h"

#include <QStringList>

namespace azid::test {

// Every secret a test met in its run (tokens, passwords, codes, assertions), to prove at the end
// that none of them was logged. Needs LogCapture::install() at the start of the run.
class SecretsSeen
{
public:
    SecretsSeen &operator<<(const QString &secret);
    qsizetype size() const { return m_secrets.size(); }

    // Awaits a token from `credential` and remembers it when there is one.
    TokenResult getToken(TokenCredential &credential, const TokenRequestOptions &request);
    // Remembers the access and refresh tokens `cache` holds.
    void rememberCachedTokens(const TokenCache &cache);

    // Fails the running test (QVERIFY) unless more than `moreThan` secrets were met, something was
    // logged, and no log message holds one of the secrets (those of 8 characters or more: shorter
    // ones match by chance), a JWT ("eyJ") or any of `neverLogged`.
    void verifyNoneLogged(qsizetype moreThan, const QStringList &neverLogged = {}) const;

private:
    QStringList m_secrets;
};

} // namespace azid::test
