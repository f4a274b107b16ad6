package io.jcni.plugins.internal.linux;

/**
 * The Linux ABI numbers this package uses: errno values and names, namespace and mount flags, socket options, and
 * the netlink/rtnetlink message, attribute and flag numbers (from the uapi headers {@code linux/netlink.h},
 * {@code linux/rtnetlink.h}, {@code linux/if_link.h}, {@code linux/if_addr.h}, {@code linux/if_bridge.h},
 * {@code linux/veth.h}). Kept in one place so a reader can check them against the headers at a glance.
 */
final class Kernel {
  private Kernel() {}

  // errno (asm-generic; identical on x86_64 and arm64)
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int EBADF = 9;
  static final int EAGAIN = 11;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int EINVAL = 22;
  static final int ENOTTY = 25;
  static final int ENOSPC = 28;
  static final int ERANGE = 34;
  static final int EOPNOTSUPP = 95;
  static final int EADDRNOTAVAIL = 99;
  static final int ENETUNREACH = 101;
  static final int ENOBUFS = 105;

  private static final String[][] ERRNO = new String[134][];

  static {
    errno(1, "EPERM", "Operation not permitted");
    errno(2, "ENOENT", "No such file or directory");
    errno(3, "ESRCH", "No such process");
    errno(4, "EINTR", "Interrupted system call");
    errno(5, "EIO", "Input/output error");
    errno(6, "ENXIO", "No such device or address");
    errno(7, "E2BIG", "Argument list too long");
    errno(9, "EBADF", "Bad file descriptor");
    errno(11, "EAGAIN", "Resource temporarily unavailable");
    errno(12, "ENOMEM", "Cannot allocate memory");
    errno(13, "EACCES", "Permission denied");
    errno(14, "EFAULT", "Bad address");
    errno(16, "EBUSY", "Device or resource busy");
    errno(17, "EEXIST", "File exists");
    errno(18, "EXDEV", "Invalid cross-device link");
    errno(19, "ENODEV", "No such device");
    errno(20, "ENOTDIR", "Not a directory");
    errno(21, "EISDIR", "Is a directory");
    errno(22, "EINVAL", "Invalid argument");
    errno(23, "ENFILE", "Too many open files in system");
    errno(24, "EMFILE", "Too many open files");
    errno(25, "ENOTTY", "Inappropriate ioctl for device");
    errno(28, "ENOSPC", "No space left on device");
    errno(30, "EROFS", "Read-only file system");
    errno(31, "EMLINK", "Too many links");
    errno(34, "ERANGE", "Numerical result out of range");
    errno(36, "ENAMETOOLONG", "File name too long");
    errno(38, "ENOSYS", "Function not implemented");
    errno(39, "ENOTEMPTY", "Directory not empty");
    errno(40, "ELOOP", "Too many levels of symbolic links");
    errno(61, "ENODATA", "No data available");
    errno(71, "EPROTO", "Protocol error");
    errno(75, "EOVERFLOW", "Value too large for defined data type");
    errno(90, "EMSGSIZE", "Message too long");
    errno(92, "ENOPROTOOPT", "Protocol not available");
    errno(93, "EPROTONOSUPPORT", "Protocol not supported");
    errno(95, "EOPNOTSUPP", "Operation not supported");
    errno(97, "EAFNOSUPPORT", "Address family not supported by protocol");
    errno(98, "EADDRINUSE", "Address already in use");
    errno(99, "EADDRNOTAVAIL", "Cannot assign requested address");
    errno(100, "ENETDOWN", "Network is down");
    errno(101, "ENETUNREACH", "Network is unreachable");
    errno(105, "ENOBUFS", "No buffer space available");
    errno(110, "ETIMEDOUT", "Connection timed out");
    errno(113, "EHOSTUNREACH", "No route to host");
    errno(122, "EDQUOT", "Disk quota exceeded");
  }

  private static void errno(int n, String name, String text) {
    ERRNO[n] = new String[] {name, text};
  }

  /** The symbolic name of an errno ("EEXIST"), or "errno N" when unknown. */
  static String errnoName(int errno) {
    return errno > 0 && errno < ERRNO.length && ERRNO[errno] != null ? ERRNO[errno][0] : "errno " + errno;
  }

  /** The glibc strerror text of an errno ("File exists"), or "errno N" when unknown. */
  static String strerror(int errno) {
    return errno > 0 && errno < ERRNO.length && ERRNO[errno] != null ? ERRNO[errno][1] : "errno " + errno;
  }

  // open(2)
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_CREAT = 0100;
  static final int O_EXCL = 0200;
  static final int O_DIRECTORY = 0200000;
  static final int O_NOFOLLOW = 0400000;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;

  // flock(2) operations.
  static final int LOCK_EX = 2;
  static final int LOCK_NB = 4;
  static final int LOCK_UN = 8;

  // inotify(7) and the local filesystems whose changes it sees (statfs f_type)
  static final int IN_MODIFY = 0x2;
  static final int IN_ATTRIB = 0x4;
  static final int IN_CLOSE_WRITE = 0x8;
  static final int IN_MOVED_FROM = 0x40;
  static final int IN_MOVED_TO = 0x80;
  static final int IN_CREATE = 0x100;
  static final int IN_DELETE = 0x200;
  static final int IN_DELETE_SELF = 0x400;
  static final int IN_MOVE_SELF = 0x800;
  static final int IN_Q_OVERFLOW = 0x4000;
  static final int IN_IGNORED = 0x8000;
  static final int IN_ONLYDIR = 0x1000000;
  static final int IN_NONBLOCK = O_NONBLOCK;
  static final int IN_CLOEXEC = O_CLOEXEC;
  static final long FIONREAD = 0x541BL;
  static final long EXT4_SUPER_MAGIC = 0xEF53L;
  static final long XFS_SUPER_MAGIC = 0x58465342L;
  static final long BTRFS_SUPER_MAGIC = 0x9123683EL;
  static final long TMPFS_MAGIC = 0x01021994L;
  static final long F2FS_SUPER_MAGIC = 0xF2F52010L;
  static final long ZFS_SUPER_MAGIC = 0x2FC12FC1L;

  // namespaces and mounts
  static final int CLONE_NEWNET = 0x40000000;
  static final long NS_GET_NSTYPE = 0xb703L; // _IO(0xb7, 0x3)
  static final long NSFS_MAGIC = 0x6e736673L;
  static final long PROC_SUPER_MAGIC = 0x9fa0L;
  static final long MS_BIND = 4096;
  static final long MS_REC = 16384;
  static final long MS_SHARED = 1 << 20;
  static final int MNT_DETACH = 2;
  // the mount API (fsopen(2) and friends): numbered alike on every architecture
  static final long SYS_FSOPEN = 430;
  static final long SYS_FSCONFIG = 431;
  static final long SYS_FSMOUNT = 432;
  static final int FSOPEN_CLOEXEC = 1;
  static final int FSCONFIG_CMD_CREATE = 6;
  static final int FSMOUNT_CLOEXEC = 1;
  static final int MOUNT_ATTR_NOSUID = 0x2;
  static final int MOUNT_ATTR_NODEV = 0x4;
  static final int MOUNT_ATTR_NOEXEC = 0x8;

  // sockets
  static final int AF_UNSPEC = 0;
  static final int AF_UNIX = 1;
  static final int AF_INET = 2;
  static final int AF_BRIDGE = 7;
  static final int AF_NETLINK = 16;
  static final int AF_INET6 = 10;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 02000000;
  static final int NETLINK_ROUTE = 0;
  static final int SOL_SOCKET = 1;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVBUF = 8;
  static final int SO_RCVTIMEO = 20;
  static final int SOL_NETLINK = 270;
  static final int NETLINK_CAP_ACK = 10;
  static final int NETLINK_EXT_ACK = 11;
  static final int NETLINK_GET_STRICT_CHK = 12;
  static final int MSG_TRUNC = 0x20;

  // struct nlmsghdr
  static final int NLMSG_HDRLEN = 16;
  static final int NLMSG_NOOP = 1;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;
  static final int NLM_F_REQUEST = 0x01;
  static final int NLM_F_MULTI = 0x02;
  static final int NLM_F_ACK = 0x04;
  static final int NLM_F_ECHO = 0x08;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_ROOT = 0x100;
  static final int NLM_F_MATCH = 0x200;
  static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_APPEND = 0x800;
  static final int NLM_F_CAPPED = 0x100; // on NLMSG_ERROR
  static final int NLM_F_ACK_TLVS = 0x200; // on NLMSG_ERROR
  static final int NLMSGERR_ATTR_MSG = 1;
  static final int NLA_F_NESTED = 0x8000;
  static final int NLA_TYPE_MASK = 0x3fff;

  // rtnetlink message types
  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_SETLINK = 19;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_GETROUTE = 26;

  // struct ifinfomsg and IFLA_*
  static final int IFINFOMSG_LEN = 16;
  static final int IFF_UP = 0x1;
  static final int IFF_PROMISC = 0x100;
  static final int IFF_ALLMULTI = 0x200;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MTU = 4;
  static final int IFLA_TXQLEN = 13;
  static final int IFLA_LINK = 5;
  static final int IFLA_MASTER = 10;
  static final int IFLA_PROTINFO = 12;
  static final int IFLA_OPERSTATE = 16;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_NET_NS_PID = 19;
  static final int IFLA_AF_SPEC = 26;
  static final int IFLA_NET_NS_FD = 28;
  static final int IFLA_NUM_TX_QUEUES = 31;
  static final int IFLA_EXT_MASK = 29;
  static final int IFLA_LINK_NETNSID = 37;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int IFLA_BR_VLAN_FILTERING = 7;
  static final int VETH_INFO_PEER = 1;
  static final int RTEXT_FILTER_BRVLAN = 1 << 1;

  // bridge ports (IFLA_PROTINFO under AF_BRIDGE) and VLANs (IFLA_AF_SPEC under AF_BRIDGE)
  static final int IFLA_BRPORT_STATE = 1;
  static final int IFLA_BRPORT_MODE = 4;
  static final int IFLA_BRPORT_ISOLATED = 33;
  static final int IFLA_BRIDGE_FLAGS = 0;
  static final int IFLA_BRIDGE_VLAN_INFO = 2;
  static final int BRIDGE_FLAGS_MASTER = 1;
  static final int BRIDGE_FLAGS_SELF = 2;
  static final int BRIDGE_VLAN_INFO_MASTER = 1 << 0;
  static final int BRIDGE_VLAN_INFO_PVID = 1 << 1;
  static final int BRIDGE_VLAN_INFO_UNTAGGED = 1 << 2;
  static final int BRIDGE_VLAN_INFO_RANGE_BEGIN = 1 << 3;
  static final int BRIDGE_VLAN_INFO_RANGE_END = 1 << 4;

  // struct ifaddrmsg and IFA_*
  static final int IFADDRMSG_LEN = 8;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int IFA_LABEL = 3;
  static final int IFA_BROADCAST = 4;
  static final int IFA_FLAGS = 8;

  // struct rtmsg and RTA_*
  static final int RTMSG_LEN = 12;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_PRIORITY = 6;
  static final int RTA_PREFSRC = 7;
  static final int RTA_METRICS = 8;
  static final int RTA_MULTIPATH = 9;
  static final int RTA_TABLE = 15;
  static final int RTAX_MTU = 2;
  static final int RTAX_ADVMSS = 8;
  static final int RT_TABLE_UNSPEC = 0;
  static final int RT_TABLE_MAIN = 254;
  static final int RTPROT_BOOT = 3;
  static final int RTN_UNICAST = 1;
  static final int RTM_F_CLONED = 0x200;
}
