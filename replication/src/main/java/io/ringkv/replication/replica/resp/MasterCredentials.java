package io.ringkv.replication.replica.resp;

import java.util.function.Supplier;

/**
 * masteruser and masterauth as the link reads them at each connection (CONFIG SET may change them meanwhile);
 * an empty password means no AUTH, an empty user AUTH with the password alone. Values hold one char per byte.
 *
 * @param userOption     masteruser.
 * @param passwordOption masterauth.
 */
public record MasterCredentials(Supplier<String> userOption, Supplier<String> passwordOption)
{
    /**
     * @return masteruser, "" for none.
     */
    public String user()
    {
        final String user = userOption.get();
        return user == null ? "" : user;
    }

    /**
     * @return masterauth, "" for none.
     */
    public String password()
    {
        final String password = passwordOption.get();
        return password == null ? "" : password;
    }

    /**
     * @return the AUTH command to send (with the user when masteruser is set), or null when no password is set.
     */
    public String[] authCommand()
    {
        final String password = password();
        if (password.isEmpty())
        {
            return null;
        }
        final String user = user();
        return user.isEmpty() ? new String[]{"AUTH", password} : new String[]{"AUTH", user, password};
    }
}
