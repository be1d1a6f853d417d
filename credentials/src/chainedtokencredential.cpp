#include "azid/chainedtokencredential.h"

#include "chainrunner.h"
#include "futures.h"

#include <QPointer>

namespace azid {

ChainedTokenCredential::ChainedTokenCredential(QList<std::shared_ptr<TokenCredential>> credentials,
                                               QObject *parent)
    : QObject(parent), m_credentials(std::move(credentials))
{
    m_credentials.removeAll(nullptr);
    for (const std::shared_ptr<TokenCredential> &credential : std::as_const(m_credentials))
        m_members.append({credential, {}, false});
    m_succeeded = [self = QPointer(this)](qsizetype index) {
        if (self)
            self->m_successful = self->m_credentials.at(index);
    };
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

    return detail::runChain(m_members, options, name(), m_succeeded);
}

} // namespace azid
