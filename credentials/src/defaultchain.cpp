#include "defaultchain.h"

#include "futures.h"
#include "logging.h"

#include <QPointer>

namespace azid::detail {

DefaultChain::DefaultChain(QList<DefaultChainMember> members, QString chainName, QObject *parent)
    : QObject(parent), m_members(std::move(members)), m_chainName(std::move(chainName))
{
    for (const DefaultChainMember &member : std::as_const(m_members))
        m_chain.append(member);
    m_succeeded = [self = QPointer(this)](qsizetype index) {
        if (self && !self->m_successful) {
            const DefaultChainMember &member = self->m_members.at(index);
            self->m_successful = member.standalone ? member.standalone() : member.credential;
            qCInfo(lcCredentials).noquote()
                << self->m_chainName << "will use" << self->m_successful->name() << "for its next requests";
        }
    };
}

QFuture<TokenResult> DefaultChain::getTokenInfo(const TokenRequestOptions &options)
{
    if (m_successful)
        return m_successful->getTokenInfo(options);
    return runChain(m_chain, options, m_chainName, m_succeeded);
}

} // namespace azid::detail
