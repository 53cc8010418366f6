// SPDX-License-Identifier: GPL-2.0
/*
 * An 8250/16550A UART at 0x3f8 (COM1, IRQ 4), transmit only.
 *
 * The guest's bytes go out as soon as they are written, so the transmitter
 * is always empty: LSR reads THRE|TEMT, and with IER.THRI set a
 * THR-empty interrupt is pending after every write, as on real hardware.
 * That interrupt matters: the kernel's console writes poll LSR, but a
 * process writing to /dev/console goes through the tty layer, which
 * waits for it. The registers the 8250 driver's autoconfig reads (IER,
 * IIR with the FIFO bits, LCR, MCR with loopback into MSR, SCR, DLL/DLM)
 * behave so that it detects a 16550A. Nothing is ever received.
 *
 * The output streams, a line at a time, to the caller's console fd, and
 * the last KTSTR_VM_CONSOLE_LINES lines stay in a ring for the run's
 * error messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm_priv.h"

#define SERIAL_IRQ	4
/* What Linux's panic() prints first. */
#define PANIC_MARK	"Kernel panic - not syncing"

/* Register offsets. */
#define UART_RX_TX	0	/* RBR / THR, DLL with DLAB */
#define UART_IER	1	/* DLM with DLAB */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_FIFO	0xc0
#define FCR_FIFO_EN	0x01
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the console is best effort */
		p += n;
		len -= n;
	}
}

static void note_marker(struct ktstr_vm *vm, const char *line)
{
	if (vm->console_marker && !atomic_load(&vm->marker_ns) &&
	    strstr(line, vm->console_marker))
		atomic_store(&vm->marker_ns, vmm__now_ns());
}

/*
 * Without ACPI a powered-off Linux halts with interrupts off for good:
 * its last words are the only sign, so they end the run.
 */
static void note_poweroff(struct ktstr_vm *vm, const char *line)
{
	if (strstr(line, "reboot: Power down") ||
	    strstr(line, "reboot: System halted"))
		vmm__finish(vm, KTSTR_VM_POWEROFF, 0,
			    "the guest powered off without an exit record");
}

/* Called with s->lock held. */
static void end_line(struct ktstr_vm *vm, bool newline)
{
	struct vmm_serial *s = &vm->serial;
	char *slot = s->lines[s->next_line];

	s->cur[s->cur_len] = '\0';
	if (vm->console_fd > 0) {
		write_all(vm->console_fd, s->cur, s->cur_len);
		if (newline)
			write_all(vm->console_fd, "\n", 1);
	}
	if (!newline)
		return;	/* a flush: the line goes on */
	/*
	 * A panic's backtrace pushes its reason out of the tail: keep the
	 * line that says why (panic() prints it before the backtrace).
	 */
	if (!s->panic_line[0] && strstr(s->cur, PANIC_MARK))
		memcpy(s->panic_line, s->cur, s->cur_len + 1);
	memcpy(slot, s->cur, s->cur_len + 1);
	s->next_line = (s->next_line + 1) % KTSTR_VM_CONSOLE_LINES;
	if (s->nr_lines < KTSTR_VM_CONSOLE_LINES)
		s->nr_lines++;
	s->cur_len = 0;
}

static void put_char(struct ktstr_vm *vm, uint8_t c)
{
	struct vmm_serial *s = &vm->serial;

	if (c == '\r')
		return;
	if (c == '\n') {
		char line[sizeof(s->cur)];

		s->cur[s->cur_len] = '\0';
		memcpy(line, s->cur, s->cur_len + 1);
		end_line(vm, true);
		/*
		 * Outside s->lock: vmm__finish() reads the tail. The ring may
		 * take another line meanwhile; the copy does not care.
		 */
		pthread_mutex_unlock(&s->lock);
		note_marker(vm, line);
		note_poweroff(vm, line);
		pthread_mutex_lock(&s->lock);
		return;
	}
	/* Over-long lines are cut into pieces rather than lost. */
	if (s->cur_len == sizeof(s->cur) - 1) {
		char line[sizeof(s->cur)];

		memcpy(line, s->cur, s->cur_len);
		line[s->cur_len] = '\0';
		end_line(vm, true);
		pthread_mutex_unlock(&s->lock);
		note_marker(vm, line);
		pthread_mutex_lock(&s->lock);
	}
	/* Keep the ring printable: a hostile guest may send anything. */
	s->cur[s->cur_len++] = (c == '\t' || (c >= 0x20 && c < 0x7f)) ? c : '?';
}

/* Tell KVM about IRQ 4 when it changes; with s->lock held. */
static void update_irq(struct ktstr_vm *vm, bool pulse)
{
	struct vmm_serial *s = &vm->serial;
	bool level = (s->ier & IER_THRI) && s->thri_pending;
	struct kvm_irq_level irq = { .irq = SERIAL_IRQ };

	/*
	 * ISA interrupts are edge triggered at the IOAPIC: a new THR-empty
	 * event while the line is already high needs a falling edge first.
	 */
	if (pulse && level && s->irq_level) {
		irq.level = 0;
		ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
		s->irq_level = false;
	}
	if (level == s->irq_level)
		return;
	irq.level = level;
	ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
	s->irq_level = level;
}

static uint8_t read_iir(struct vmm_serial *s)
{
	uint8_t iir = (s->fcr & FCR_FIFO_EN) ? IIR_FIFO : 0;

	if ((s->ier & IER_THRI) && s->thri_pending) {
		/* Reading IIR acknowledges a THR-empty interrupt. */
		s->thri_pending = false;
		return iir | IIR_THRI;
	}
	return iir | IIR_NO_INT;
}

static uint8_t read_msr(struct vmm_serial *s)
{
	uint8_t msr = 0;

	if (!(s->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;	/* a cable, always ready */
	/* Loopback: the modem outputs come back as the inputs. */
	if (s->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (s->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (s->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (s->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

void vmm_serial__io(struct ktstr_vm *vm, uint16_t off, bool is_write,
		    uint8_t *data)
{
	struct vmm_serial *s = &vm->serial;
	bool dlab;
	uint8_t v = *data;

	pthread_mutex_lock(&s->lock);
	dlab = s->lcr & LCR_DLAB;
	if (is_write) {
		switch (off) {
		case UART_RX_TX:
			if (dlab) {
				s->dll = v;
				break;
			}
			/* In loopback the byte would go to the receiver: drop it. */
			if (!(s->mcr & MCR_LOOP))
				put_char(vm, v);
			s->thri_pending = true;
			update_irq(vm, true);
			break;
		case UART_IER:
			if (dlab) {
				s->dlm = v;
				break;
			}
			/* Enabling THRI with the transmitter empty raises it. */
			if ((v & IER_THRI) && !(s->ier & IER_THRI))
				s->thri_pending = true;
			s->ier = v & 0x0f;
			update_irq(vm, false);
			break;
		case UART_IIR_FCR:
			s->fcr = v;
			break;
		case UART_LCR:
			s->lcr = v;
			break;
		case UART_MCR:
			s->mcr = v & 0x1f;
			break;
		case UART_SCR:
			s->scr = v;
			break;
		default:
			break;	/* LSR and MSR are read-only */
		}
		pthread_mutex_unlock(&s->lock);
		return;
	}

	switch (off) {
	case UART_RX_TX:
		v = dlab ? s->dll : 0;
		break;
	case UART_IER:
		v = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR_FCR:
		v = read_iir(s);
		update_irq(vm, false);
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT;
		break;
	case UART_MSR:
		v = read_msr(s);
		break;
	default:
		v = s->scr;
		break;
	}
	*data = v;
	pthread_mutex_unlock(&s->lock);
}

void vmm_serial__flush(struct ktstr_vm *vm)
{
	struct vmm_serial *s = &vm->serial;

	pthread_mutex_lock(&s->lock);
	if (s->cur_len) {
		end_line(vm, false);
		/* What was streamed is not streamed again. */
		if (vm->console_fd > 0)
			write_all(vm->console_fd, "\n", 1);
	}
	pthread_mutex_unlock(&s->lock);
}

size_t vmm_serial__panic(struct ktstr_vm *vm, char *buf, size_t len)
{
	struct vmm_serial *s = &vm->serial;
	int w = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	pthread_mutex_lock(&s->lock);
	if (s->panic_line[0])
		w = snprintf(buf, len, "\nthe guest kernel panicked: %s",
			     s->panic_line);
	pthread_mutex_unlock(&s->lock);
	return w < 0 ? 0 : (size_t)w >= len ? len - 1 : (size_t)w;
}

size_t vmm_serial__tail(struct ktstr_vm *vm, char *buf, size_t len,
			unsigned int max_lines)
{
	struct vmm_serial *s = &vm->serial;
	unsigned int n, first;
	size_t used = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	pthread_mutex_lock(&s->lock);
	n = s->nr_lines < max_lines ? s->nr_lines : max_lines;
	first = (s->next_line + KTSTR_VM_CONSOLE_LINES - n) % KTSTR_VM_CONSOLE_LINES;
	for (unsigned int i = 0; i < n && used < len - 1; i++) {
		const char *l = s->lines[(first + i) % KTSTR_VM_CONSOLE_LINES];
		int w = snprintf(buf + used, len - used, "%s\n", l);

		used = w < 0 || (size_t)w >= len - used ? len - 1 : used + w;
	}
	if (s->cur_len && used < len - 1) {
		int w = snprintf(buf + used, len - used, "%.*s\n",
				 (int)s->cur_len, s->cur);

		used = w < 0 || (size_t)w >= len - used ? len - 1 : used + w;
	}
	pthread_mutex_unlock(&s->lock);
	return used < len ? used : len - 1;
}

const char *ktstr_vm__last_console(struct ktstr_vm *vm)
{
	size_t len = KTSTR_VM_CONSOLE_LINES * sizeof(vm->serial.lines[0]) +
		     sizeof(vm->serial.cur) + 1;

	if (!vm->serial.tail_buf)
		vm->serial.tail_buf = malloc(len);
	if (!vm->serial.tail_buf)
		return "";
	vmm_serial__tail(vm, vm->serial.tail_buf, len, KTSTR_VM_CONSOLE_LINES);
	return vm->serial.tail_buf;
}

void vmm_serial__init(struct ktstr_vm *vm)
{
	pthread_mutex_init(&vm->serial.lock, NULL);
	/* 8N1 at 115200, as firmware would leave it. */
	vm->serial.lcr = 0x03;
	vm->serial.dll = 1;
	vm->serial.mcr = MCR_OUT2 | MCR_RTS | MCR_DTR;
}

void vmm_serial__exit(struct ktstr_vm *vm)
{
	free(vm->serial.tail_buf);
	vm->serial.tail_buf = NULL;
	pthread_mutex_destroy(&vm->serial.lock);
}
