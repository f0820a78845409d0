package dev.alloc.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Netty echo server under an off-heap cap. Its handler keeps a copy of every 8th message in a
 * cache that never evicts, as a session cache or a replay buffer might: Netty's direct memory
 * grows until the cap stops it. A client in the same JVM sends {@code messages} (argument,
 * default 4000) messages of 65,521 bytes over loopback and counts the echoes.
 *
 * <p>Run it with {@code site.skip=io.netty.} so the agent names the application's line that
 * made Netty allocate, not Netty's allocator.
 */
public final class NettyEcho {
    static final int MESSAGE = 65_521;

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new EchoHandler());
                        }
                    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            AtomicLong echoed = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf in = (ByteBuf) msg;
                            if (echoed.addAndGet(in.readableBytes()) >= (long) messages * MESSAGE) {
                                done.countDown();
                            }
                            in.release();
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            done.countDown();
                        }
                    }).connect(server.localAddress()).sync().channel();
            ByteBuf message = client.alloc().directBuffer(MESSAGE).writeZero(MESSAGE); // the client holds one buffer: the leak is the server's
            for (int i = 0; i < messages && client.isActive(); i++) {
                if (!client.writeAndFlush(message.retainedDuplicate()).awaitUninterruptibly().isSuccess()) {
                    break; // the server closed the connection
                }
            }
            message.release();
            done.await(30, TimeUnit.SECONDS);
            System.out.println("echoed " + echoed.get() + " of " + (long) messages * MESSAGE + " bytes; the server's cache holds "
                    + EchoHandler.CACHE.size() + " copies (" + EchoHandler.CACHE.size() * (long) MESSAGE + " bytes)");
            client.close().awaitUninterruptibly();
            server.close().awaitUninterruptibly();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Echoes every message and keeps a copy of every 8th: the leak. */
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final List<ByteBuf> CACHE = new ArrayList<>();
        private long seen;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (++seen % 8 == 0) {
                keep(ctx, in);
            }
            ctx.writeAndFlush(in);
        }

        private static void keep(ChannelHandlerContext ctx, ByteBuf in) {
            ByteBuf copy = ctx.alloc().directBuffer(in.readableBytes());
            copy.writeBytes(in, in.readerIndex(), in.readableBytes());
            synchronized (CACHE) {
                CACHE.add(copy);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause;
            while (root.getCause() != null) {
                root = root.getCause(); // Netty may wrap the allocation's error
            }
            System.out.println("server closes the connection: " + root);
            ctx.close();
        }
    }
}
