#pragma once

#include "chainrunner.h"

#include <QObject>

#include <functional>
#include <memory>

namespace azid::detail {

struct DefaultChainMember : ChainMember
{
    // The credential later requests go to once this member gave a token, when that is not the
    // member itself: the developer tools run in the chain with their failures turned into
    // unavailability (within_dac), and afterwards without it, as azure.identity's sticky path.
    std::function<std::shared_ptr<TokenCredential>()> standalone;
};

// DefaultAzureCredential's request logic: the chain until a member gives a token, then that
// member alone, its errors unchanged.
class DefaultChain final : public QObject
{
public:
    DefaultChain(QList<DefaultChainMember> members, QString chainName, QObject *parent = nullptr);

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options);

    const QList<DefaultChainMember> &members() const { return m_members; }
    std::shared_ptr<TokenCredential> successful() const { return m_successful; }

private:
    QList<DefaultChainMember> m_members;
    QList<ChainMember> m_chain; // m_members as the chain runs them
    ChainSuccess m_succeeded;   // remembers the member that gave a token
    QString m_chainName;
    std::shared_ptr<TokenCredential> m_successful;
};

} // namespace azid::detail
