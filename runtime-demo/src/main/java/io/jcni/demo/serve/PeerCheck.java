package io.jcni.demo.serve;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The daemon's check of who is calling: the kernel's credentials of the peer process ({@code SO_PEERCRED}), which
 * must be root's, as only root may change network namespaces through a CNI plugin. The socket's mode 0600 already
 * keeps others out; this check also covers the moment between bind and chmod, and a socket made reachable by hand.
 */
final class PeerCheck {
  private final UserPrincipal root;

  PeerCheck() throws IOException {
    root = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root");
  }

  /**
   * Returns normally when the peer of {@code ch} runs as root.
   *
   * @throws CniException code 999 naming the refused user
   */
  void requireRoot(SocketChannel ch) throws IOException, CniException {
    UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
    if (!peer.user().equals(root)) {
      throw new CniException(ErrorCode.INTERNAL,
          "the jcni daemon serves only root; the caller runs as user " + peer.user().getName());
    }
  }
}
