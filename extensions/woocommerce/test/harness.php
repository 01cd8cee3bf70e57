<?php
/**
 * Runs the plugin outside WordPress with the few WordPress and WooCommerce functions it calls stubbed, and prints
 * what it produced as JSON: the sign-in link for the current user, and the requests it sends when a user is deleted
 * or loses the capability. Used by extensions/woocommerce/plugin.test.ts, which checks them against the server.
 * Environment: MAHNWERK_TEST_DELIVERY_URL and MAHNWERK_TEST_SECRET (one of the store's Mahnwerk webhooks).
 */

define( 'ABSPATH', __DIR__ );

class WP_User {
	public $ID;
	public $display_name;
	public $user_email;
	public $caps;
	public function __construct( $id, $name, $email, $caps ) {
		$this->ID           = $id;
		$this->display_name = $name;
		$this->user_email   = $email;
		$this->caps         = $caps;
	}
}

class WC_Data_Store {
	public static function load( $name ) {
		return new class() {
			public function search_webhooks( $args ) {
				return array( 7 );
			}
		};
	}
}

$GLOBALS['mahnwerk_test'] = array( 'actions' => array(), 'filters' => array(), 'posts' => array(), 'users' => array() );

class WC_Order {
	private $meta;
	public function __construct( $meta ) {
		$this->meta = $meta;
	}
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
}

function add_action( $hook, $callback, $priority = 10 ) {
	$GLOBALS['mahnwerk_test']['actions'][ $hook ][] = $callback;
}
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['mahnwerk_test']['filters'][ $hook ][] = $callback;
}
function apply_filters( $hook, $value, ...$args ) {
	foreach ( $GLOBALS['mahnwerk_test']['filters'][ $hook ] ?? array() as $callback ) {
		$value = $callback( $value, ...$args );
	}
	return $value;
}
function wp_json_encode( $value ) {
	return json_encode( $value );
}
function wp_generate_password( $length ) {
	return substr( bin2hex( random_bytes( $length ) ), 0, $length );
}
function wp_get_current_user() {
	return $GLOBALS['mahnwerk_test']['users'][42];
}
function get_userdata( $id ) {
	return $GLOBALS['mahnwerk_test']['users'][ $id ] ?? false;
}
function user_can( $user, $capability ) {
	return in_array( $capability, $user->caps, true );
}
function add_query_arg( $args, $url ) {
	return $url . '?' . http_build_query( $args );
}
function wp_remote_post( $url, $args ) {
	$GLOBALS['mahnwerk_test']['posts'][] = array( 'url' => $url, 'body' => $args['body'], 'blocking' => $args['blocking'] );
	return array();
}
function wc_get_webhook( $id ) {
	return new class() {
		public function get_delivery_url() {
			return getenv( 'MAHNWERK_TEST_DELIVERY_URL' );
		}
		public function get_status() {
			return 'active';
		}
		public function get_id() {
			return 7;
		}
		public function get_secret() {
			return getenv( 'MAHNWERK_TEST_SECRET' );
		}
	};
}

require __DIR__ . '/../mahnwerk/mahnwerk.php';

$GLOBALS['mahnwerk_test']['users'][42] = new WP_User( 42, 'Anna Schmidt', 'anna@shop.example.de', array( 'manage_woocommerce' ) );
$GLOBALS['mahnwerk_test']['users'][43] = new WP_User( 43, 'Ben Wolle', 'ben@shop.example.de', array() );
$signin = mahnwerk_signin_url( mahnwerk_connection() );
foreach ( $GLOBALS['mahnwerk_test']['actions']['delete_user'] as $callback ) {
	$callback( 42 );
}
// Ben keeps his account but no longer manages WooCommerce; Anna's role change keeps the capability: no report.
foreach ( $GLOBALS['mahnwerk_test']['actions']['set_user_role'] as $callback ) {
	$callback( 43 );
	$callback( 42 );
}
// The states WooCommerce would let each order be paid in, as WC_Order::needs_payment() asks for them.
$payable = array();
foreach ( array( 'running', 'handed_over', 'blocked', 'waiting_for_approval', 'failed', 'paid', 'cancelled', 'closed', '' ) as $case_status ) {
	$order                              = new WC_Order( '' === $case_status ? array() : array( '_mahnwerk_status' => $case_status ) );
	$payable[ '' === $case_status ? 'untracked' : $case_status ] = apply_filters( 'woocommerce_valid_order_statuses_for_payment', array( 'pending', 'failed' ), $order );
}
echo json_encode(
	array(
		'signin'  => $signin,
		'posts'   => $GLOBALS['mahnwerk_test']['posts'],
		'payable' => $payable,
	)
);
