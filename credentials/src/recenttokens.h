#pragma once

#include "azid/accesstoken.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace azid::detail {

// The last token a credential handed out for one request shape (scopes, tenant, CAE), reused while
// the token cache has not changed since and the token is not due for refresh: a cached getToken
// then costs one hash look-up instead of the cache's key building and scope matching.
// Requests with claims never come here (they bypass the cache). Not thread-safe: a credential's
// requests run on its own thread.
class RecentTokens
{
public:
    // A token counts until 5 minutes before it expires or until its refresh_on (azure.identity's
    // refresh rule); `generation` is the token cache's now.
    std::optional<AccessTokenInfo> find(const TokenRequestOptions &options, quint64 generation,
                                        qint64 now) const
    {
        const auto recent = m_recent.constFind(Key{options.scopes, options.tenantId, options.enableCae});
        if (recent == m_recent.constEnd() || recent->cacheGeneration != generation ||
            !stillFresh(recent->token, now))
            return std::nullopt;
        return recent->token;
    }

    // `generation`: the token cache's when `token` was found in it or added to it.
    void remember(const TokenRequestOptions &options, quint64 generation, const AccessTokenInfo &token)
    {
        m_recent.insert(Key{options.scopes, options.tenantId, options.enableCae}, {generation, token});
    }

    static bool stillFresh(const AccessTokenInfo &token, qint64 now)
    {
        return token.expiresOn - now >= 300 && (!token.refreshOn || *token.refreshOn > now);
    }

private:
    struct Key
    {
        QStringList scopes;
        QString tenantId;
        bool cae = false;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.scopes, key.tenantId, key.cae);
        }
    };
    struct Recent
    {
        quint64 cacheGeneration = 0;
        AccessTokenInfo token;
    };
    QHash<Key, Recent> m_recent;
};

} // namespace azid::detail
