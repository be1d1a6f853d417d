#pragma once

#include <QProcessEnvironment>
#include <QString>

#include <optional>

namespace azid::detail {

// The environment variables a credential reads: those given in its options, else the process's,
// read when asked. As in azure.identity, a variable set to the empty string counts as unset.
class EnvironmentReader
{
public:
    explicit EnvironmentReader(std::optional<QProcessEnvironment> fixed = std::nullopt)
        : m_fixed(std::move(fixed))
    {}

    QString value(const QString &name) const
    {
        if (m_fixed)
            return m_fixed->value(name);
        return qEnvironmentVariable(name.toLatin1().constData());
    }
    bool isSet(const QString &name) const { return !value(name).isEmpty(); }

private:
    std::optional<QProcessEnvironment> m_fixed;
};

} // namespace azid::detail
