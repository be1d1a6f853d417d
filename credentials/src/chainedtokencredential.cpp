#include "azid/chainedtokencredential.h"

#include "chainrunner.h"
#include "futures.h"

namespace azid {

ChainedTokenCredential::ChainedTokenCredential(QList<std::shared_ptr<TokenCredential>> credentials,
                                               QObject *parent)
    : QObject(parent), m_credentials(std::move(credentials))
{
    m_credentials.removeAll(nullptr);
}

ChainedTokenCredential::~ChainedTokenCredential() = default;

std::optional<AuthError> ChainedTokenCredential::configurationError() const
{
    if (m_credentials.isEmpty())
        return AuthError::configuration(QStringLiteral("at least one credential is required"));
    for (const std::shared_ptr<TokenCredential> &credential : m_credentials) {
        if (auto error = credential->configurationError()) {
            error->message = credential->name() + QStringLiteral(": ") + error->message;
            return error;
        }
    }
    return std::nullopt;
}

QFuture<TokenResult> ChainedTokenCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (const auto error = configurationError())
        return detail::ready(TokenResult(*error));

    QList<detail::ChainMember> members;
    for (const std::shared_ptr<TokenCredential> &credential : std::as_const(m_credentials))
        members.append({credential, {}, false});
    return detail::runChain(members, options, name())
        .then(QtFuture::Launch::Sync, detail::guarded(this, [this, members](detail::ChainOutcome outcome) {
                  if (outcome.index >= 0)
                      m_successful = members.at(outcome.index).credential;
                  return outcome.result;
              }));
}

} // namespace azid
