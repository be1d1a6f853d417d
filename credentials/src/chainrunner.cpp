#include "chainrunner.h"

#include "futures.h"
#include "logging.h"

#include <QPromise>

namespace azid::detail {

namespace {

thread_local int t_chainDepth = 0;

struct WithinChain
{
    WithinChain() { ++t_chainDepth; }
    ~WithinChain() { --t_chainDepth; }
    WithinChain(const WithinChain &) = delete;
    WithinChain &operator=(const WithinChain &) = delete;
};

// What a run knows: the members, the request, and what each member said so far.
struct ChainState
{
    QList<ChainMember> members;
    TokenRequestOptions options;
    QString chainName;
    ChainSuccess succeeded;
    QList<ChainAttempt> attempts;

    QFuture<TokenResult> ask(qsizetype index) const
    {
        const WithinChain within;
        return members.at(index).credential->getTokenInfo(options);
    }

    // The run's result when the member at `index` ends it with `result`; none when the chain goes on.
    std::optional<TokenResult> take(qsizetype index, const TokenResult &result)
    {
        const ChainMember &member = members.at(index);
        if (result.ok()) {
            qCDebug(lcCredentials).noquote() << chainName << "acquired a token from" << member.displayName();
            if (succeeded)
                succeeded(index);
            return result;
        }
        const AuthError &error = result.error();
        attempts.append({member.displayName(), error.message});
        if (error.isUnavailable() || member.failuresUnavailable)
            return std::nullopt;
        qCDebug(lcCredentials).noquote()
            << chainName << ":" << member.displayName() << "failed, the chain stops:" << error.message;
        return failure(error.invalidConfiguration);
    }

    TokenResult failure(bool invalidConfiguration = false) const
    {
        const QString message = chainFailureMessage(chainName, attempts);
        qCWarning(lcCredentials).noquote() << message;
        AuthError error = AuthError::authentication(message);
        error.invalidConfiguration = invalidConfiguration;
        return error;
    }
};

TokenResult canceledAnswer()
{
    return AuthError::authentication(QStringLiteral("The request was canceled before it finished."));
}

// A run with a member that answers later: it goes on from that member as each answers.
struct ChainRun : std::enable_shared_from_this<ChainRun>
{
    explicit ChainRun(ChainState s) : state(std::move(s)) {}

    ChainState state;
    QPromise<TokenResult> promise;

    void finish(const TokenResult &result)
    {
        promise.addResult(result);
        promise.finish();
    }

    void answered(qsizetype index, const TokenResult &result)
    {
        if (std::optional<TokenResult> end = state.take(index, result))
            finish(*end);
        else
            tryMember(index + 1);
    }

    void await(qsizetype index, QFuture<TokenResult> answer)
    {
        auto self = shared_from_this();
        answer
            .then(QtFuture::Launch::Sync,
                  [self, index](TokenResult result) { self->answered(index, result); })
            .onCanceled([self, index]() { self->answered(index, canceledAnswer()); });
    }

    void tryMember(qsizetype index)
    {
        if (index >= state.members.size())
            finish(state.failure());
        else
            await(index, state.ask(index));
    }
};

} // namespace

QFuture<TokenResult> runChain(const QList<ChainMember> &members, const TokenRequestOptions &options,
                              const QString &chainName, const ChainSuccess &succeeded)
{
    QFuture<TokenResult> answer;
    if (!members.isEmpty()) {
        const WithinChain within;
        answer = members.first().credential->getTokenInfo(options);
    }
    // The common case, with nothing copied: the first member has a token at once.
    if (answer.isFinished() && !answer.isCanceled() && answer.resultCount() > 0 &&
        answer.constBegin()->ok()) {
        qCDebug(lcCredentials).noquote()
            << chainName << "acquired a token from" << members.first().displayName();
        if (succeeded)
            succeeded(0);
        return answer;
    }
    ChainState state{members, options, chainName, succeeded, {}};
    for (qsizetype index = 0; index < state.members.size(); ++index) {
        if (index > 0)
            answer = state.ask(index);
        if (!answer.isFinished()) {
            auto run = std::make_shared<ChainRun>(std::move(state));
            run->promise.start();
            QFuture<TokenResult> future = run->promise.future();
            run->await(index, std::move(answer));
            return future;
        }
        const TokenResult result = answer.isCanceled() ? canceledAnswer() : answer.result();
        if (std::optional<TokenResult> end = state.take(index, result))
            return result.ok() ? answer : ready(*std::move(end));
    }
    return ready(state.failure());
}

bool withinCredentialChain()
{
    return t_chainDepth > 0;
}

QString chainFailureMessage(const QString &chainName, const QList<ChainAttempt> &attempts)
{
    QStringList lines;
    for (const ChainAttempt &attempt : attempts)
        lines << (attempt.message.isEmpty() ? attempt.name
                                            : attempt.name + QStringLiteral(": ") + attempt.message);
    return chainName + QStringLiteral(" failed to retrieve a token from the included credentials.") +
           QStringLiteral("\nAttempted credentials:\n\t") + lines.join(QStringLiteral("\n\t")) +
           QStringLiteral("\nTo mitigate this issue, please refer to the troubleshooting guidelines here at "
                          "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot.");
}

} // namespace azid::detail
