package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * List commands over JSON lines take the generic form and answer natural JSON: LRANGE an array, LPOP a string or
 * null, LMPOP its key and array, LLEN a number, errors as errors.
 */
class ListJsonLinesTest
{
    @Test
    void listRepliesAreNaturalJson() throws Exception
    {
        try (TestServer server = TestServer.start();
            Socket socket = new Socket("127.0.0.1", server.port()))
        {
            final OutputStream out = socket.getOutputStream();
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            final String[][] exchanges = {
                {"{\"cmd\":\"rpush\",\"args\":[\"queue\",\"a\",\"b\",7,\"caf\u00e9\"]}", "{\"value\":4}"},
                {"{\"cmd\":\"lrange\",\"args\":[\"queue\",\"0\",\"-1\"]}", "{\"value\":[\"a\",\"b\",\"7\",\"caf\u00e9\"]}"},
                {"{\"cmd\":\"lpop\",\"args\":[\"queue\"]}", "{\"value\":\"a\"}"},
                {"{\"cmd\":\"rpop\",\"args\":[\"queue\",\"2\"]}", "{\"value\":[\"caf\u00e9\",\"7\"]}"},
                {"{\"cmd\":\"lmpop\",\"args\":[\"2\",\"none\",\"queue\",\"LEFT\"]}", "{\"value\":[\"queue\",[\"b\"]]}"},
                {"{\"cmd\":\"lpop\",\"args\":[\"queue\"]}", "{\"value\":null}"},
                {"{\"cmd\":\"llen\",\"args\":[\"queue\"]}", "{\"value\":0}"},
                {"{\"cmd\":\"lindex\",\"args\":[\"queue\",\"x\"]}", "{\"value\":null}"},
                {"{\"cmd\":\"lpos\",\"args\":[\"queue\",\"a\",\"COUNT\",\"-1\"]}",
                    "{\"error\":\"ERR COUNT can't be negative\"}"},
            };
            for (final String[] exchange : exchanges)
            {
                out.write((exchange[0] + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals(exchange[1], in.readLine(), exchange[0]);
            }
        }
    }
}
