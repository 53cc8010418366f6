/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's insides, shared by the files of user/vmm/ that make up
 * struct ktstr_vm: memory, boot, vCPUs, devices, wire, freeze.
 */
#ifndef KTSTR_VMM_PRIV_H
#define KTSTR_VMM_PRIV_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <ktstr/topology.h>
#include <ktstr/vmm.h>
#include <ktstr/wire.h>

/* Guest RAM stops below this; the 32-bit MMIO hole (IOAPIC, LAPIC) follows. */
#define VMM_LOW_RAM_END		0xc0000000ULL
#define VMM_HIGH_RAM_START	0x100000000ULL

/* KVM's private pages for VMX real mode: in the hole, below the IOAPIC. */
#define VMM_IDENTITY_MAP_GPA	0xfeffc000ULL
#define VMM_TSS_GPA		0xfeffd000ULL

#define VMM_MAX_RAM		2

struct vmm_ram {
	uint64_t gpa;
	void *hva;
	uint64_t len;
};

/* The 8250 UART at 0x3f8 and the console it carries. */
struct vmm_serial {
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thri_pending;	/* THR-empty interrupt waiting for an IIR read */
	bool irq_level;		/* what we last told KVM about IRQ 4 */

	/* Console: the line being written, then a ring of whole lines. */
	char cur[256];
	size_t cur_len;
	char lines[KTSTR_VM_CONSOLE_LINES][256];
	unsigned int next_line;	/* ring slot the next line goes to */
	unsigned int nr_lines;
	char *tail_buf;		/* ktstr_vm__last_console()'s answer */
	/* The guest kernel's first "Kernel panic" line, "" until one. */
	char panic_line[256];
};

/* The CMOS RTC at 0x70/0x71: enough for the kernel to read the time. */
struct vmm_rtc {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t nvram[128];
};

enum vmm_vcpu_state {
	VMM_VCPU_IDLE,		/* no thread, or the thread ended */
	VMM_VCPU_RUNNING,	/* may be inside KVM_RUN */
	VMM_VCPU_PARKED,	/* outside KVM_RUN, waiting for the freeze to end */
};

struct vmm_vcpu {
	struct ktstr_vm *vm;
	unsigned int idx;
	uint32_t apic_id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	enum vmm_vcpu_state state;	/* under vm->lock */
	bool in_handler_freeze;		/* this thread is the freezer, or waits to be */
	uint64_t exits;
};

struct ktstr_vm {
	int kvm_fd, vm_fd;
	size_t run_size;

	struct vmm_ram ram[VMM_MAX_RAM];
	unsigned int nr_ram;
	void *ram_map;			/* one mapping behind all RAM ranges */
	uint64_t ram_map_len;
	void *shm;

	struct ktstr_topology topo;
	unsigned int nr_vcpus;
	struct vmm_vcpu *vcpus;

	struct vmm_serial serial;
	struct vmm_rtc rtc;
	int console_fd;
	char *console_marker;
	uint32_t deadline_ms;

	ktstr_vm_capture_fn capture_fn;
	void *capture_ctx;

	/* Run state: lock protects what follows and the vCPUs' state. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stopping;		/* read locklessly by the vCPU loops */
	atomic_bool freezing;
	bool ran;
	bool have_result;
	struct ktstr_vm_result res;
	unsigned int threads_live;

	atomic_uint_fast64_t first_wire_ns, marker_ns, exit_ns, doorbells;
	atomic_uint_fast64_t unknown_io, unknown_mmio;

	char err[512];
};

uint64_t vmm__now_ns(void);
__attribute__((format(printf, 2, 3)))
void vmm__set_error(struct ktstr_vm *vm, const char *fmt, ...);

/*
 * End the run with this result unless one is already set (the first
 * cause wins) and kick every vCPU out. @fmt explains it; the console
 * tail is appended for anything but a clean exit.
 */
__attribute__((format(printf, 4, 5)))
void vmm__finish(struct ktstr_vm *vm, enum ktstr_vm_how how, int value,
		 const char *fmt, ...);

/* memory.c */
int vmm_memory__init(struct ktstr_vm *vm, uint64_t mem_bytes);
void vmm_memory__exit(struct ktstr_vm *vm);
/* Host pointer for [gpa, gpa + len) of RAM, or NULL. */
void *vmm_memory__ptr(struct ktstr_vm *vm, uint64_t gpa, uint64_t len);
uint64_t vmm_memory__low_end(const struct ktstr_vm *vm);

/* bzimage.c: load the kernel, initrd and boot structures; BSP state. */
struct vmm_boot {
	uint64_t entry;		/* RIP */
	uint64_t zero_page;	/* RSI */
	uint64_t cr3;
	uint64_t gdt, gdt_limit;
};
int vmm_bzimage__load(struct ktstr_vm *vm, const struct ktstr_vm_config *cfg,
		      struct vmm_boot *boot);

/* vcpu.c */
int vmm_vcpu__init(struct ktstr_vm *vm, const struct vmm_boot *boot);
void vmm_vcpu__exit(struct ktstr_vm *vm);
int vmm_vcpu__start_all(struct ktstr_vm *vm);
void vmm_vcpu__join_all(struct ktstr_vm *vm);
/* Make every vCPU leave KVM_RUN soon (they re-check the run state). */
void vmm_vcpu__kick_all(struct ktstr_vm *vm);
int vmm_vcpu__install_kick_handler(void);
/* The vCPU the calling thread runs, NULL for another thread. */
struct vmm_vcpu *vmm_vcpu__self(struct ktstr_vm *vm);

/* ioport.c: port I/O dispatch and the small legacy devices. */
void vmm_ioport__io(struct vmm_vcpu *vcpu, uint16_t port, bool is_write,
		    uint8_t *data, unsigned int size);

/* serial.c */
void vmm_serial__init(struct ktstr_vm *vm);
void vmm_serial__exit(struct ktstr_vm *vm);
void vmm_serial__io(struct ktstr_vm *vm, uint16_t off, bool is_write,
		    uint8_t *data);
/* Flush the unfinished line to the console fd. */
void vmm_serial__flush(struct ktstr_vm *vm);
/*
 * "\nthe guest kernel panicked: <its panic line>" into @buf when the
 * console showed one, else ""; the length.
 */
size_t vmm_serial__panic(struct ktstr_vm *vm, char *buf, size_t len);
/* Up to @max_lines of the tail into @buf (NUL-terminated); its length. */
size_t vmm_serial__tail(struct ktstr_vm *vm, char *buf, size_t len,
			unsigned int max_lines);

/* rtc.c */
void vmm_rtc__init(struct ktstr_vm *vm);
void vmm_rtc__exit(struct ktstr_vm *vm);
void vmm_rtc__io(struct ktstr_vm *vm, uint16_t port, bool is_write,
		 uint8_t *data);

/* wire.c: the MMIO exits, the exit record and the capture doorbell. */
void vmm_wire__mmio(struct vmm_vcpu *vcpu, uint64_t gpa, bool is_write,
		    uint8_t *data, unsigned int len);

/* freeze.c: the vCPU loop's side of the rendezvous. */
void vmm_freeze__park(struct vmm_vcpu *vcpu);

#endif /* KTSTR_VMM_PRIV_H */
