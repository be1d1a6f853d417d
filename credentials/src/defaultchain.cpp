#include "defaultchain.h"

#include "futures.h"
#include "logging.h"

namespace azid::detail {

DefaultChain::DefaultChain(QList<DefaultChainMember> members, QString chainName, QObject *parent)
    : QObject(parent), m_members(std::move(members)), m_chainName(std::move(chainName))
{}

QFuture<TokenResult> DefaultChain::getTokenInfo(const TokenRequestOptions &options)
{
    if (m_successful) {
        qCInfo(lcCredentials).noquote()
            << m_chainName << "acquired a token from" << m_successful->name() << "(remembered)";
        return m_successful->getTokenInfo(options);
    }
    QList<ChainMember> chain;
    for (const DefaultChainMember &member : std::as_const(m_members))
        chain.append(member);
    return runChain(chain, options, m_chainName)
        .then(QtFuture::Launch::Sync, guarded(this, [this](ChainOutcome outcome) {
                  if (outcome.index >= 0 && !m_successful) {
                      const DefaultChainMember &member = m_members.at(outcome.index);
                      m_successful = member.standalone ? member.standalone() : member.credential;
                  }
                  return outcome.result;
              }));
}

} // namespace azid::detail
