/*
 * A minimal client of Yubico's own validation-protocol library (libykclient):
 *   ykverify <url> <client id> <base64 key> <otp> <verify-response-signature 0|1> [nonce]
 * Prints one line: "<ykclient_rc> <status line or -> <ykclient_strerror>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <ykclient.h>

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: ykverify url id key otp verify [nonce]\n");
    return 2;
  }
  ykclient_t *ykc = NULL;
  ykclient_rc rc = ykclient_global_init();
  if (rc == YKCLIENT_OK) rc = ykclient_init(&ykc);
  if (rc != YKCLIENT_OK) {
    fprintf(stderr, "init: %s\n", ykclient_strerror(rc));
    return 2;
  }
  const char *urls[] = {argv[1]};
  rc = ykclient_set_url_bases(ykc, 1, urls);
  if (rc == YKCLIENT_OK) rc = ykclient_set_client_b64(ykc, (unsigned int)strtoul(argv[2], NULL, 10), argv[3]);
  if (rc != YKCLIENT_OK) {
    fprintf(stderr, "setup: %s\n", ykclient_strerror(rc));
    return 2;
  }
  ykclient_set_verify_signature(ykc, atoi(argv[5]));
  if (argc > 6) ykclient_set_nonce(ykc, argv[6]);
  rc = ykclient_request(ykc, argv[4]);
  const ykclient_server_response_t *response = ykclient_get_server_response(ykc);
  const char *status = response == NULL ? NULL : ykclient_server_response_get(response, "status");
  printf("%d %s %s\n", (int)rc, status == NULL ? "-" : status, ykclient_strerror(rc));
  ykclient_done(&ykc);
  ykclient_global_done();
  return 0;
}
